// Redoc draws its maker's logo from their CDN. This site loads nothing from a CDN (its policy
// blocks it, with an error in the console), so that one image comes from here instead.
const ours = (value) =>
  String(value).startsWith("https://cdn.redoc.ly/") ? "/static/filmroll/favicon.svg" : value;
const setAttribute = Element.prototype.setAttribute;
Element.prototype.setAttribute = function (name, value) {
  const isSrc = this instanceof HTMLImageElement && String(name).toLowerCase() === "src";
  return setAttribute.call(this, name, isSrc ? ours(value) : value);
};
const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
Object.defineProperty(HTMLImageElement.prototype, "src", {
  ...src,
  set(value) {
    src.set.call(this, ours(value));
  },
});
