/*
 * Map documents (needs/maps.py): keeps the key and the map's controls off the area, and keeps
 * place names from covering each other. Loaded after Leaflet, before the map is made.
 *
 * The key (<details data-jsna-legend>) starts open where the map is wide enough to show it
 * beside the area, closed (one small "Key" button) on a phone; once the reader opens or closes
 * it, it stays as they left it. The area's bounds come as JSON
 * (<script type="application/json" id="jsna-map-layout">); the map is fitted to them with room
 * left for every box drawn over it, on whichever sides let the area be largest. Until the reader
 * pans or zooms, a change of size fits it again. Holds no data of its own.
 */
(function () {
  "use strict";

  var WIDE = 600; // px: narrower maps start with the key closed
  var GAP = 8; // px kept between the area and any box over it
  var maps = [];

  L.Map.addInitHook(function () {
    maps.push(this);
  });

  function boxesOver(map) {
    var frame = map.getContainer().getBoundingClientRect();
    var boxes = Array.prototype.slice.call(
      document.querySelectorAll(".leaflet-control, [data-jsna-legend]")
    );
    return boxes
      .map(function (element) {
        var r = element.getBoundingClientRect();
        return {
          left: r.left - frame.left, top: r.top - frame.top,
          right: r.right - frame.left, bottom: r.bottom - frame.top
        };
      })
      .filter(function (b) { return b.right > b.left && b.bottom > b.top; });
  }

  // Room kept on each side when each box is avoided sideways (bit set) or vertically.
  function padding(boxes, size, choice) {
    var pad = {top: GAP, right: GAP, bottom: GAP, left: GAP};
    boxes.forEach(function (b, i) {
      if (choice & (1 << i)) {
        if ((b.left + b.right) / 2 < size.x / 2) {
          pad.left = Math.max(pad.left, b.right + GAP);
        } else {
          pad.right = Math.max(pad.right, size.x - b.left + GAP);
        }
      } else if ((b.top + b.bottom) / 2 < size.y / 2) {
        pad.top = Math.max(pad.top, b.bottom + GAP);
      } else {
        pad.bottom = Math.max(pad.bottom, size.y - b.top + GAP);
      }
    });
    return pad;
  }

  function bestPadding(map, bounds) {
    var size = map.getSize();
    var boxes = boxesOver(map);
    var best = null;
    for (var choice = 0; choice < (1 << boxes.length); choice += 1) {
      var pad = padding(boxes, size, choice);
      var free = L.point(size.x - pad.left - pad.right, size.y - pad.top - pad.bottom);
      if (free.x < 40 || free.y < 40) { continue; }
      var zoom = map.getBoundsZoom(bounds, false, L.point(pad.left + pad.right, pad.top + pad.bottom));
      var room = free.x * free.y;
      if (!best || zoom > best.zoom || (zoom === best.zoom && room > best.room)) {
        best = {zoom: zoom, room: room, pad: pad};
      }
    }
    return best && best.pad;
  }

  function fit(map, bounds) {
    var pad = bestPadding(map, bounds);
    if (pad) {
      map.fitBounds(bounds, {
        paddingTopLeft: [pad.left, pad.top],
        paddingBottomRight: [pad.right, pad.bottom],
        animate: false
      });
    } else {
      map.fitBounds(bounds, {animate: false});
    }
  }

  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  // Place names come larger area first; one that would cover an earlier one waits hidden.
  function declutter() {
    var kept = [];
    document.querySelectorAll(".jsna-map-label").forEach(function (label) {
      label.classList.remove("jsna-map-label--hidden");
      var r = label.getBoundingClientRect();
      if (kept.some(function (k) { return overlaps(k, r); })) {
        label.classList.add("jsna-map-label--hidden");
      } else {
        kept.push(r);
      }
    });
  }

  function layOut() {
    var data = document.getElementById("jsna-map-layout");
    var map = maps[0];
    if (!data || !map) { return; }
    var bounds = L.latLngBounds(JSON.parse(data.textContent).bounds);
    var key = document.querySelector("[data-jsna-legend]");
    var fitting = false;
    var moved = false;
    var toggled = false; // the reader opened or closed the key: theirs to keep
    if (key) {
      key.querySelector("summary").addEventListener("click", function () { toggled = true; });
    }
    function refit() {
      if (moved) { return; }
      // The frame may first be drawn at a default size, before the page's styles size it.
      if (key && !toggled) { key.open = map.getSize().x >= WIDE; }
      fitting = true;
      fit(map, bounds);
      fitting = false;
      declutter();
    }
    map.on("zoomstart dragstart", function () {
      if (!fitting) { moved = true; }
    });
    map.on("zoomend", declutter);
    map.on("resize", refit);
    refit();
  }

  document.addEventListener("DOMContentLoaded", layOut);
})();
