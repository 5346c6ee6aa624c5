// Sortable indicator tables, in place: a click on a column's header link sorts the rows without
// reloading (the link itself sorts on the server, so everything works without JavaScript).
// Missing and secret values ("geheim", "–") sort last in both directions.
(function () {
  "use strict";

  function cellValue(row, index) {
    var cell = row.children[index];
    return cell ? cell.getAttribute("data-value") || "" : "";
  }

  function sortTable(table, index, type, descending) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index);
      var y = cellValue(b, index);
      if (x === "" && y === "") return 0;
      if (x === "") return 1;
      if (y === "") return -1;
      var order = type === "number" ? parseFloat(x) - parseFloat(y) : x.localeCompare(y, document.documentElement.lang);
      return descending ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.ind-sort") : null;
    if (!link) return;
    var header = link.closest("th");
    var table = link.closest("table[data-sortable]");
    if (!header || !table) return;
    event.preventDefault();
    var descending = header.getAttribute("aria-sort") === "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
    sortTable(table, header.cellIndex, link.getAttribute("data-type"), descending);
    if (window.history && window.history.replaceState) {
      var url = new URL(link.href, window.location.href);
      url.searchParams.set("sort", (descending ? "-" : "") + link.getAttribute("data-sort"));
      window.history.replaceState(null, "", url.toString());
    }
  });
})();
