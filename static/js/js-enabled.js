/*
 * Required by NHS.UK frontend: enables its JavaScript-only styles in browsers that support ES
 * modules. Loaded (not deferred) at the top of <body>, so the classes are set before the page
 * is drawn; a file, not an inline script, because the pages' Content-Security-Policy allows no
 * inline script.
 */
document.body.className += " js-enabled" +
  ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
