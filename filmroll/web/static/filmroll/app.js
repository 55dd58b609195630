// In-place likes and comments, and more of the feed as you scroll. Every form and link works
// without this file: it only saves the page reload. The server answers a request marked
// X-Requested-With: fetch with the changed piece of the page instead of a redirect.

const csrf = () => document.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";

async function send(form) {
  const answer = await fetch(form.action, {
    method: "POST",
    body: new FormData(form),
    headers: { "X-Requested-With": "fetch", "X-CSRFToken": csrf() },
    credentials: "same-origin",
  });
  if (!answer.ok) throw new Error(`${answer.status}`);
  return answer.text();
}

function fragment(html) {
  const holder = document.createElement("div");
  holder.innerHTML = html;
  return holder;
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!form.matches("form.like-form, form.comment-form")) return;
  event.preventDefault();
  try {
    const html = await send(form);
    if (form.matches(".like-form")) {
      form.closest("article").replaceWith(fragment(html).firstElementChild);
    } else {
      form.before(...fragment(html).children);
      form.reset();
    }
  } catch {
    form.submit(); // let the server answer the plain way
  }
});

// Infinite scroll: when the "older" link comes into view, fetch the next page's photos.
const observer = new IntersectionObserver(async (entries) => {
  for (const entry of entries) {
    if (!entry.isIntersecting) continue;
    const link = entry.target;
    observer.unobserve(link);
    const answer = await fetch(link.href, { headers: { "X-Requested-With": "fetch" } });
    if (!answer.ok) return;
    const page = fragment(await answer.text());
    link.closest("p").replaceWith(...page.children);
    document.querySelectorAll("a[rel=next]").forEach((next) => observer.observe(next));
  }
});
document.querySelectorAll("a[rel=next]").forEach((link) => observer.observe(link));

// Upload: once a photo is chosen, show it under every filter (made on the server).
const chosen = document.querySelector("#upload-form input[type=file]");
chosen?.addEventListener("change", async () => {
  if (!chosen.files.length) return;
  const body = new FormData();
  body.append("image", chosen.files[0]);
  const answer = await fetch("/upload/previews", {
    method: "POST", body, headers: { "X-CSRFToken": csrf() }, credentials: "same-origin",
  });
  if (!answer.ok) return; // the post itself will say what is wrong with the photo
  const made = await answer.json();
  document.querySelectorAll("img.preview").forEach((img) => {
    if (made[img.dataset.filter]) img.src = made[img.dataset.filter];
  });
});

// Upload: suggest #tags and @people for the word being typed in the caption.
const caption = document.querySelector("#upload-form textarea[name=caption]");
const list = document.getElementById("suggestions");
caption?.addEventListener("input", async () => {
  const before = caption.value.slice(0, caption.selectionStart);
  const word = before.split(/\s/).pop();
  list.replaceChildren();
  if (!/^[#@]\S+$/.test(word)) return;
  const answer = await fetch(`/upload/suggest?q=${encodeURIComponent(word)}`);
  if (!answer.ok) return;
  for (const suggestion of (await answer.json()).suggestions) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = suggestion;
    button.addEventListener("click", () => {
      const start = before.length - word.length;
      caption.value = caption.value.slice(0, start) + suggestion + " " + caption.value.slice(before.length);
      list.replaceChildren();
      caption.focus();
    });
    item.append(button);
    list.append(item);
  }
});

// Upload: places near the typed point, to pick instead of making a new one.
const pick = document.getElementById("location_id");
async function nearbyPlaces() {
  const lat = document.getElementById("lat").value;
  const lng = document.getElementById("lng").value;
  if (!lat || !lng) return;
  const answer = await fetch(`/upload/places?lat=${encodeURIComponent(lat)}&lng=${encodeURIComponent(lng)}`);
  if (!answer.ok) return;
  const { places } = await answer.json();
  pick.replaceChildren(new Option("a new place (the name above)", ""));
  for (const place of places) pick.append(new Option(place.name, place.id));
  pick.closest("label").hidden = places.length === 0;
}
document.getElementById("lat")?.addEventListener("change", nearbyPlaces);
document.getElementById("lng")?.addEventListener("change", nearbyPlaces);
