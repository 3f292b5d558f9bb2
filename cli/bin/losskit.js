#!/usr/bin/env node
// The `losskit` command; the code is compiled from cli/src/ into cli/dist/ by `npm install` (prepare).
import "../dist/main.js";
