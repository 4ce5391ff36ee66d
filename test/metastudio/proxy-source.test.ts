import { describe, expect, it } from "vitest";

import { proxyAddress, proxySource, proxyVariables } from "../../src/metastudio/proxy-source.js";

/** The variable an error about the proxy names is the one undici took the proxy from. */
describe("which variable named the proxy", () => {
  it("the lower-case name first, as undici reads them, even when set empty", () => {
    expect(proxyVariables({ http_proxy: "http://a:1", HTTP_PROXY: "http://b:2" }).http).toBe("http_proxy");
    // Set but empty turns the proxy off in undici: the upper-case name is not read.
    expect(proxyVariables({ http_proxy: "", HTTP_PROXY: "http://b:2" }).http).toBeUndefined();
  });

  it("https falls back to the http proxy when HTTPS_PROXY is unset or empty", () => {
    expect(proxyVariables({ HTTP_PROXY: "http://a:1" })).toEqual({ http: "HTTP_PROXY", https: "HTTP_PROXY" });
    expect(proxyVariables({ HTTP_PROXY: "http://a:1", HTTPS_PROXY: "" }).https).toBe("HTTP_PROXY");
    expect(proxyVariables({ HTTPS_PROXY: "http://s:3" })).toEqual({ http: undefined, https: "HTTPS_PROXY" });
  });

  it("names every variable holding that proxy, and only those", () => {
    const env = { HTTPS_PROXY: "http://u:p@corp:3128", HTTP_PROXY: "http://u:p@corp:3128" };
    expect(proxySource(new URL("http://u:p@corp:3128"), env)).toBe("HTTPS_PROXY or HTTP_PROXY");
    const split = { HTTPS_PROXY: "http://secure:3128", HTTP_PROXY: "http://plain:8080" };
    expect(proxySource(new URL("http://plain:8080"), split)).toBe("HTTP_PROXY");
    expect(proxySource(new URL("http://secure:3128"), split)).toBe("HTTPS_PROXY");
  });
});

describe("the proxy's address", () => {
  it("host and port, the scheme's port when none is written, never the user or password", () => {
    expect(proxyAddress(new URL("http://user:secret@proxy.corp"))).toBe("proxy.corp:80");
    expect(proxyAddress(new URL("https://proxy.corp"))).toBe("proxy.corp:443");
    expect(proxyAddress(new URL("http://user:secret@[::1]:3128"))).toBe("[::1]:3128");
  });
});
