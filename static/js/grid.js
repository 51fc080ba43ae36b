/* The monthly results grid: each cell saves itself on change (htmx). Enter moves down a row (the
   cell saves on the way out), Shift+Enter up; Tab moves right as usual. A refusal (409 saved by
   someone else first, 422 not a number, 423 locked, 403 not allowed) is shown in the cell. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !input.matches || !input.matches("table.grid input[data-col]")) return;
    event.preventDefault();
    var column = Array.prototype.slice.call(document.querySelectorAll(
      'table.grid input[data-col="' + input.getAttribute("data-col") + '"]:not([disabled])'));
    var next = column[column.indexOf(input) + (event.shiftKey ? -1 : 1)];
    if (next) { next.focus(); next.select(); } else { input.blur(); }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 403 || status === 409 || status === 422 || status === 423) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
