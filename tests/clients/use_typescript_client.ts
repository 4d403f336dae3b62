// The generated TypeScript types (openapi-typescript) with openapi-fetch against a live server,
// type-checked with `tsc --strict` and no casts. Run by tests/test_clients.py:
// `node use_typescript_client.js BASE_URL EDITOR_KEY`.
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

const [baseUrl, key] = process.argv.slice(2);
// JSON answers where an operation has others too (a law also comes as JSON-LD).
const client = createClient<paths, "application/json">({ baseUrl });
const editor = createClient<paths, "application/json">({ baseUrl, headers: { Authorization: `Bearer ${key}` } });

function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`TypeScript client: ${what}`);
  }
}

const laws = await client.GET("/v1/laws", { params: { query: { country: ["KG"], limit: 5 } } });
check(laws.data !== undefined && laws.data.items.length > 0, "list laws");
const slug = "law-kg-external-migration-2000";
const law = await client.GET("/v1/laws/{key}", { params: { path: { key: slug }, query: { lang: "ru" } } });
check(law.data?.slug === slug, "get a law");
const found = await client.GET("/v1/search", { params: { query: { q: "закон о внешней миграции" } } });
check(found.data?.hits.some((hit) => hit.slug === slug) === true, "search");
const steps = await client.GET("/v1/timeline", { params: { query: { country: ["KG"], limit: 10 } } });
check((steps.data?.items.length ?? 0) > 0, "timeline");

// An upload: the part is a Blob (the schema's `format: binary`); openapi-fetch sends a FormData
// as it is, so the body is put into one.
const text = "Закон о внешней миграции: памятка\n";
const made = await editor.POST("/v1/laws/{key}/attachments", {
  params: { path: { key: slug } },
  body: { file: new Blob([text], { type: "text/plain" }), title: "Памятка", languages: ["ru"] },
  bodySerializer(body) {
    const form = new FormData();
    form.append("file", body.file, "памятка.txt");
    if (body.title) {
      form.append("title", body.title);
    }
    for (const language of body.languages ?? []) {
      form.append("languages", language);
    }
    return form;
  },
});
check(made.response.status === 201 && made.data?.title === "Памятка", `upload ${made.response.status}`);
const attachmentId = made.data?.id ?? "";
const listed = await client.GET("/v1/laws/{key}/attachments", { params: { path: { key: slug } } });
check(listed.data?.items.some((a) => a.id === attachmentId) === true, "list attachments");
const downloaded = await client.GET("/v1/laws/{key}/attachments/{attachment_id}/content", {
  params: { path: { key: slug, attachment_id: attachmentId } },
  parseAs: "text",
});
check(downloaded.data === text, "download");

const line = {
  kind: "organization",
  slug: "org-kg-typescript-test",
  name: { en: "TypeScript Test Legal Clinic" },
  org_type: "legal_clinic",
  countries: ["KG"],
  publication: "published",
};
const report = await editor.POST("/v1/import", {
  body: new Blob([JSON.stringify(line) + "\n"]),
  headers: { "Content-Type": "application/x-ndjson" },
  bodySerializer: (body) => body,
});
check(report.data?.committed === true && report.data.errors.length === 0, `import ${report.response.status}`);

const indicators = await client.GET("/v1/indicators", { params: { query: { country: ["TJ"], limit: 20 } } });
check(indicators.data?.items.some((i) => i.slug === "remittances-gdp") === true, "list indicators");
const values = await client.GET("/v1/indicators/{key}/observations", {
  params: { path: { key: "remittances-gdp" }, query: { country: "KG,TJ", from: "2020" } },
});
check(
  (values.data?.items.length ?? 0) > 0 && values.data?.items.every((v) => ["KG", "TJ"].includes(v.country)) === true,
  "observations",
);
const wb = [
  { page: 1, pages: 1, per_page: 50, total: 1, sourceid: "2", lastupdated: "2026-07-01" },
  [{ indicator: { id: "BX.TRF.PWKR.DT.GD.ZS", value: "Personal remittances, received (% of GDP)" },
     country: { id: "TJ", value: "Tajikistan" }, countryiso3code: "TJK", date: "2025", value: 44.1,
     unit: "", obs_status: "", decimal: 1 }],
];
const imported = await editor.POST("/v1/indicators/{key}/observations/import", {
  params: {
    path: { key: "remittances-gdp" },
    query: { format: "wb-json", source: "src-typescript-test", publisher: "World Bank", title: "WDI (TypeScript test)" },
  },
  body: new Blob([JSON.stringify(wb)]),
  headers: { "Content-Type": "application/json" },
  bodySerializer: (body) => body,
});
check(imported.data?.committed === true && imported.data.counts.added === 1, `observations import ${imported.response.status}`);

const hook = await editor.POST("/v1/webhooks", { body: { url: "http://127.0.0.1:9/typescript" } });
check(hook.data?.url === "http://127.0.0.1:9/typescript", `webhook ${hook.response.status}`);

type ExportQuery = NonNullable<paths["/v1/export"]["get"]["parameters"]["query"]>;
const exports: { query: ExportQuery; mediaType: string }[] = [
  { query: { format: "ndjson" }, mediaType: "application/x-ndjson" },
  { query: { format: "csv", kind: ["organization"] }, mediaType: "text/csv" },
  { query: { format: "iati", kind: ["program"] }, mediaType: "application/xml" },
  { query: { format: "popolo", kind: ["organization"] }, mediaType: "application/json" },
  { query: { format: "hsds", kind: ["organization"] }, mediaType: "application/json" },
];
for (const { query, mediaType } of exports) {
  const exported = await client.GET("/v1/export", { params: { query }, parseAs: "text" });
  const type = exported.response.headers.get("content-type") ?? "";
  check(exported.response.status === 200 && type.startsWith(mediaType), `export ${query.format}: ${type}`);
  check((exported.data ?? "").length > 0, `export ${query.format} is empty`);
}
console.log("typescript client: ok");
