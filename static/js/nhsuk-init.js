/*
 * Starts NHS.UK frontend v10 (an ES module: it ends in `export {...}`). Loaded with
 * type="module", so it runs deferred, after the page is parsed.
 */
import { initAll } from "../vendor/nhsuk-frontend/nhsuk-frontend.min.js";

initAll();
