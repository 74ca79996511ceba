import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderConfigurationDoc } from "../src/config/docs.js";

const target = fileURLToPath(new URL("../../../docs/configuration.md", import.meta.url));
writeFileSync(target, renderConfigurationDoc());
console.log(`wrote ${target}`);
