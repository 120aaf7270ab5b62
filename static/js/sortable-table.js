/*
 * Sortable tables, as progressive enhancement: in a <table data-sortable>, each column header
 * becomes a button; pressing it sorts the body rows by that column (numbers by the cell's
 * data-sort-value when present) and sets aria-sort so screen readers announce the order.
 */
(function () {
  "use strict";

  function cellValue(row, index) {
    var cell = row.cells[index];
    var raw = cell.getAttribute("data-sort-value");
    if (raw !== null && raw !== "" && !isNaN(Number(raw))) {
      return Number(raw);
    }
    return cell.textContent.trim().toLowerCase();
  }

  function sortBy(table, index, header) {
    var body = table.tBodies[0];
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index);
      var y = cellValue(b, index);
      if (x === y) { return 0; }
      return (x < y ? -1 : 1) * (ascending ? 1 : -1);
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.setAttribute("aria-sort", "none");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function enhance(table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "jsna-sort-button";
      button.textContent = header.textContent.trim();
      header.textContent = "";
      header.appendChild(button);
      header.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () { sortBy(table, index, header); });
    });
  }

  document.querySelectorAll("table[data-sortable]").forEach(enhance);
})();
