// Redoc draws its maker's logo from their CDN. This site loads nothing from a CDN (its policy
// blocks it, with an error in the console), so that one image comes from here instead.
const setAttribute = Element.prototype.setAttribute;
Element.prototype.setAttribute = function (name, value) {
  if (this instanceof HTMLImageElement && name === "src" && String(value).startsWith("https://cdn.redoc.ly/")) {
    return setAttribute.call(this, name, "/static/filmroll/favicon.svg");
  }
  return setAttribute.call(this, name, value);
};
