// Starts the vendored Swagger UI on /api/docs. The spec URL comes from the page's data
// attribute so that the page needs no inline script.
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
  });
});
