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
