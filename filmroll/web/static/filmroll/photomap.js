// The Photo Map (/USERNAME/map/): Leaflet (the pinned django-leaflet's leaflet.js, loaded before
// this file), tiles from FILMROLL_MAP_TILE_URL when set, over a graticule drawn beneath them so
// the map still shows where the photos are without tiles. The server clusters the photos for the
// view and zoom (web/photomap.py); a cluster small enough to list opens its photos beside the
// map, a bigger one is zoomed into. Words come from the page and the server, never from here.
(() => {
  const element = document.getElementById("photo-map");
  const panel = document.getElementById("map-panel");
  const L = window.L;
  if (!element || !L) return;
  const data = element.dataset;
  const MAX_ZOOM = 18;

  const map = L.map(element, { zoomControl: false, minZoom: 1, maxZoom: MAX_ZOOM, worldCopyJump: true });
  L.control.zoom({ zoomInTitle: data.zoomIn, zoomOutTitle: data.zoomOut }).addTo(map);

  // The graticule: lines of latitude and longitude at a step that suits the zoom, in a pane
  // below the tiles (which cover it once they load).
  map.createPane("graticule").style.zIndex = 150;
  const renderer = L.svg({ pane: "graticule", padding: 0.5 });
  const graticule = L.layerGroup().addTo(map);
  function step(zoom) {
    const wanted = 90 / 2 ** zoom;  // lines 50 to 160 pixels apart
    const power = 10 ** Math.floor(Math.log10(wanted));
    return [1, 2, 5, 10].map((f) => f * power).find((s) => s >= wanted * 0.75) || 10 * power;
  }
  function drawGraticule() {
    graticule.clearLayers();
    const bounds = map.getBounds().pad(0.5);
    const every = step(map.getZoom());
    const west = Math.floor(bounds.getWest() / every) * every;
    const east = Math.ceil(bounds.getEast() / every) * every;
    const south = Math.max(-85, Math.floor(bounds.getSouth() / every) * every);
    const north = Math.min(85, Math.ceil(bounds.getNorth() / every) * every);
    const line = { renderer, interactive: false, className: "graticule-line", weight: 1 };
    for (let lat = south; lat <= north + every / 2; lat += every) {
      const major = Math.abs(lat) < every / 2;  // the equator
      L.polyline([[lat, west], [lat, east]], { ...line, className: major ? "graticule-line major" : line.className }).addTo(graticule);
    }
    for (let lng = west; lng <= east + every / 2; lng += every) {
      const major = Math.abs(((lng % 360) + 360) % 360) < every / 2;  // Greenwich
      L.polyline([[south, lng], [north, lng]], { ...line, className: major ? "graticule-line major" : line.className }).addTo(graticule);
    }
  }

  if (data.tiles) {
    const escaped = data.attribution.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    // strict-origin: tile servers (OpenStreetMap's) ask to see the site that uses them
    L.tileLayer(data.tiles, { attribution: escaped, maxZoom: 19, referrerPolicy: "strict-origin" }).addTo(map);
  }

  // Clusters of the view, asked for again whenever it moves; an answer older than the latest
  // question is dropped.
  const clusters = L.layerGroup().addTo(map);
  let asked = 0;
  function degrees(value, low, high, round) {
    return Math.min(high, Math.max(low, round(value * 1e6) / 1e6)).toFixed(6);
  }
  function viewBox() {
    const b = map.getBounds();
    if (b.getEast() - b.getWest() >= 360) return `-180.000000,${degrees(b.getSouth(), -90, 90, Math.floor)},180.000000,${degrees(b.getNorth(), -90, 90, Math.ceil)}`;
    const wrap = (lng) => ((((lng + 180) % 360) + 360) % 360) - 180;
    const west = wrap(b.getWest());
    const east = wrap(b.getEast());
    return [degrees(west, -180, 180, Math.floor), degrees(b.getSouth(), -90, 90, Math.floor),
            degrees(east, -180, 180, Math.ceil), degrees(b.getNorth(), -90, 90, Math.ceil)].join(",");
  }
  function marker(cluster) {
    const icon = document.createElement("span");
    icon.className = "cluster-icon";
    const cover = document.createElement("img");
    cover.src = cluster.cover.thumbnail.url;
    cover.alt = "";
    if (cluster.cover.sensitive) cover.className = "veiled";  // a content warning: blurred
    cover.width = 44;
    cover.height = 44;
    const count = document.createElement("span");
    count.className = "cluster-count";
    count.setAttribute("aria-hidden", "true");
    count.textContent = cluster.count;
    const label = document.createElement("span");
    label.className = "sr-only";
    label.textContent = cluster.label;
    icon.append(cover, count, label);
    const made = L.marker([cluster.lat, cluster.lng], {
      icon: L.divIcon({ html: icon, className: "map-cluster", iconSize: [52, 52], iconAnchor: [26, 26] }),
      keyboard: true,
      riseOnHover: true,
    });
    made.on("click", () => open(cluster));
    // Leaflet makes the marker a focusable button but passes its keys on as keypress only
    made.on("keypress", (event) => {
      if (event.originalEvent.key !== "Enter" && event.originalEvent.key !== " ") return;
      event.originalEvent.preventDefault();
      open(cluster);
    });
    return made;
  }
  async function load() {
    const number = ++asked;
    const query = new URLSearchParams({ bbox: viewBox(), zoom: String(map.getZoom()) });
    const answer = await fetch(`${data.clusters}?${query}`, { headers: { "X-Requested-With": "fetch" } });
    if (!answer.ok || number !== asked) return;
    const found = (await answer.json()).clusters;
    clusters.clearLayers();
    for (const cluster of found) marker(cluster).addTo(clusters);
    element.dataset.clustersShown = String(found.length);
  }

  // A small cluster (or one at the deepest zoom) opens its photos beside the map; a big one is
  // zoomed into.
  async function open(cluster) {
    if (!cluster.media_ids && map.getZoom() < MAX_ZOOM) {
      const [west, south, east, north] = cluster.bbox;
      map.fitBounds([[south, west], [north, east]], { padding: [40, 40], maxZoom: MAX_ZOOM });
      return;
    }
    const answer = await fetch(cluster.photos_url, { headers: { "X-Requested-With": "map-panel" } });
    if (!answer.ok) return;
    panel.innerHTML = await answer.text();  // our own server's rendering of the grid
    panel.hidden = false;
    panel.querySelector("[data-close]")?.addEventListener("click", () => { panel.hidden = true; element.focus(); });
    const title = panel.querySelector("#map-panel-title");
    title?.focus({ preventScroll: true });
    panel.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  map.on("moveend", () => { drawGraticule(); load(); });
  const bounds = data.bounds ? data.bounds.split(",").map(Number) : null;
  if (bounds) {
    map.fitBounds([[bounds[0], bounds[1]], [bounds[2], bounds[3]]], { padding: [40, 40], maxZoom: 12 });
  } else {
    map.setView([20, 0], 1);
  }
})();
