// Regenerates docs/errors.md from the error-code registry of @quipu/core.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderErrorCodesMarkdown } from "../packages/core/src/errors/error-codes-doc.js";

const target = fileURLToPath(new URL("../docs/errors.md", import.meta.url));
writeFileSync(target, renderErrorCodesMarkdown());
console.log(`wrote ${target}`);
