/*
 * Service-site clusters (needs/maps.py points_map) that show their mix of categories: each
 * cluster's icon is a ring split in proportion to the sites of each category inside it, in each
 * category's own colour, around the number of sites. Its title and accessible name list the
 * counts by category, so the mix does not rest on colour alone. Each site's category, colour and
 * legend position are its GeoJSON feature's properties (category, _fill, rank): no data here.
 * Loaded after leaflet.markercluster, before the map is made.
 */
(function () {
  "use strict";

  if (!window.L || !L.MarkerClusterGroup) { return; }

  var COLOUR = /^#[0-9a-fA-F]{6}$/;
  var UNKNOWN = "#bdbdbd";

  // A div icon that also carries the cluster's description (title and aria-label).
  var ClusterIcon = L.DivIcon.extend({
    createIcon: function (old) {
      var div = L.DivIcon.prototype.createIcon.call(this, old);
      div.setAttribute("aria-label", this.options.label);
      div.setAttribute("title", this.options.label);
      return div;
    }
  });

  function mix(cluster) {
    var parts = {};
    cluster.getAllChildMarkers().forEach(function (site) {
      var p = (site.feature && site.feature.properties) || {};
      var name = String(p.category || "Unknown category");
      if (!parts[name]) {
        parts[name] = {
          name: name,
          colour: COLOUR.test(p._fill) ? p._fill : UNKNOWN,
          rank: typeof p.rank === "number" ? p.rank : 1e6,
          count: 0
        };
      }
      parts[name].count += 1;
    });
    return Object.keys(parts)
      .map(function (name) { return parts[name]; })
      .sort(function (a, b) { return a.rank - b.rank || (a.name < b.name ? -1 : 1); });
  }

  function ring(parts, total) {
    var stops = [];
    var start = 0;
    parts.forEach(function (part) {
      var end = start + (360 * part.count) / total;
      stops.push(part.colour + " " + start.toFixed(2) + "deg " + end.toFixed(2) + "deg");
      start = end;
    });
    return "conic-gradient(" + stops.join(", ") + ")";
  }

  function describe(parts, total) {
    var counts = parts.map(function (part) { return part.name + ": " + part.count; });
    return total + " service sites (" + counts.join(", ") + "). Select to zoom in.";
  }

  function clusterIcon(cluster) {
    var total = cluster.getChildCount();
    var parts = mix(cluster);
    var face = document.createElement("span");
    face.className = "jsna-cluster";
    face.setAttribute("data-categories", String(parts.length));
    face.style.backgroundImage = ring(parts, total);
    var count = document.createElement("span");
    count.className = "jsna-cluster__count";
    count.textContent = String(total);
    face.appendChild(count);
    return new ClusterIcon({
      html: face,
      className: "jsna-cluster-icon",
      iconSize: L.point(44, 44),
      label: describe(parts, total)
    });
  }

  L.MarkerClusterGroup.addInitHook(function () {
    this.options.iconCreateFunction = clusterIcon;
  });
})();
