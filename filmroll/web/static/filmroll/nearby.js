// "Use where I am": fill in the browser's position (the form works without it).
const here = document.getElementById("here");
if (here && navigator.geolocation) {
  here.hidden = false;
  here.addEventListener("click", () => {
    navigator.geolocation.getCurrentPosition((position) => {
      document.getElementById("lat").value = position.coords.latitude.toFixed(5);
      document.getElementById("lng").value = position.coords.longitude.toFixed(5);
      here.form.submit();
    });
  });
}
