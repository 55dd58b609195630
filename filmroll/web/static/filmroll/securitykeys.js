// Security keys and passkeys (WebAuthn): registering one in the two-factor settings, and using
// one on the log-in's second page. The server makes the options and checks the answers
// (filmroll/web/twofactor.py); this file only carries them between it and navigator.credentials,
// turning base64url text into bytes and back.

const csrf = () => document.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";

const bytes = (text) => {
  const plain = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
  return Uint8Array.from(plain, (c) => c.charCodeAt(0));
};
const text = (buffer) =>
  btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

function showError(message) {
  const box = document.getElementById("two-factor-error");
  if (box) {
    box.textContent = message;
    box.hidden = false;
  }
}

async function options(url) {
  const answer = await fetch(url, { credentials: "same-origin" });
  const body = await answer.json();
  if (!answer.ok) throw new Error(body.error || `${answer.status}`);
  return body;
}

async function send(url, payload) {
  const answer = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
    body: JSON.stringify(payload),
  });
  const body = await answer.json();
  if (!answer.ok) throw new Error(body.error || `${answer.status}`);
  location.assign(body.next);
}

const withIds = (list) => (list || []).map((c) => ({ ...c, id: bytes(c.id) }));

async function register(form) {
  const url = form.dataset.options;
  const made = await options(url);
  const publicKey = {
    ...made,
    challenge: bytes(made.challenge),
    user: { ...made.user, id: bytes(made.user.id) },
    excludeCredentials: withIds(made.excludeCredentials),
  };
  const credential = await navigator.credentials.create({ publicKey });
  const response = credential.response;
  await send(url, {
    name: form.querySelector("[name=name]").value,
    credential: {
      id: credential.id,
      rawId: text(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: text(response.clientDataJSON),
        attestationObject: text(response.attestationObject),
        transports: response.getTransports ? response.getTransports() : [],
      },
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment,
    },
  });
}

async function use(button) {
  const url = button.dataset.options;
  const made = await options(url);
  const publicKey = { ...made, challenge: bytes(made.challenge), allowCredentials: withIds(made.allowCredentials) };
  const credential = await navigator.credentials.get({ publicKey });
  const response = credential.response;
  await send(url, {
    credential: {
      id: credential.id,
      rawId: text(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: text(response.clientDataJSON),
        authenticatorData: text(response.authenticatorData),
        signature: text(response.signature),
        userHandle: response.userHandle ? text(response.userHandle) : null,
      },
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment,
    },
  });
}

// A browser without WebAuthn (or a page that is not a secure context) says so instead.
const supported = () => window.isSecureContext && "credentials" in navigator && window.PublicKeyCredential;

document.getElementById("add-security-key")?.addEventListener("submit", (event) => {
  event.preventDefault();
  if (!supported()) return showError(event.target.dataset.unsupported || "This browser cannot use security keys here.");
  register(event.target).catch((error) => showError(error.message));
});

document.getElementById("use-security-key")?.addEventListener("click", (event) => {
  if (!supported()) return showError(event.target.dataset.unsupported || "This browser cannot use security keys here.");
  use(event.target).catch((error) => showError(error.message));
});
