/** A config version as an ETag or If-Match value carries it: `"3"`, `W/"3"` or `3`. */
const VERSION_TAG = /^(?:W\/)?"?(\d+)"?$/;

/** The version an ETag or If-Match value names, or null when it names none. */
export function versionOfTag(value: string): number | null {
  const m = VERSION_TAG.exec(value.trim());
  return m ? Number(m[1]) : null;
}
