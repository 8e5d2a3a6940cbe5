import { z } from "zod";

/**
 * An absolute http(s) URL: chacra and repo URLs, Jenkins build and log URLs, Pulp API URLs.
 * Kept as the string given (not re-serialised), because shaman identifies a repo record by its
 * exact `chacra_url`.
 */
export const HttpUrlSchema = z.url({ protocol: /^https?$/, error: "must be an absolute http(s) URL" });
