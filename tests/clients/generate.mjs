// Types for openapi-fetch from openapi/openapi.json (openapi-typescript's Node API), for
// tests/test_clients.py: `node generate.mjs SCHEMA OUT.d.ts`. A binary string (an upload's file, a
// download, an export) is a Blob, as openapi-typescript's docs advise; nothing else is changed.
import fs from "node:fs";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";

const [schemaPath, outPath] = process.argv.slice(2);
const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier("Blob"));
const nodes = await openapiTS(JSON.parse(fs.readFileSync(schemaPath, "utf8")), {
  transform(schemaObject) {
    if (schemaObject.format === "binary") {
      return BLOB;
    }
  },
});
fs.writeFileSync(outPath, astToString(nodes));
