#!/usr/bin/env node
// `npm ci` builds dist/ through the "prepare" script.
import "../dist/cli/cli.js";
