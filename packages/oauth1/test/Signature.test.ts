import { HttpClientRequest } from "@effect/platform"
import { NonceGenerator, OAuth1Client, Signature } from "@effect-oauth/oauth1"
import { describe, expect, it } from "@effect/vitest"
import * as Crypto from "node:crypto"
import { Effect, FastCheck, Redacted, TestClock } from "effect"

const secret = (value: string) => Redacted.make(value)

/** The `oauth_signature` of an `Authorization` header, decoded. */
const signatureOf = (header: string): string | undefined => {
  const match = /oauth_signature="([^"]*)"/.exec(header)
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1])
}

describe("Signature / percentEncode (RFC 5849 §3.6)", () => {
  const rows: ReadonlyArray<{ readonly name: string; readonly input: string; readonly expected: string }> = [
    { name: "unreserved characters stay, ~ included", input: "AZaz09-._~", expected: "AZaz09-._~" },
    { name: "a space is %20, never +", input: "r b", expected: "r%20b" },
    { name: "+ is encoded", input: "2+q", expected: "2%2Bq" },
    { name: "!*'() are encoded (encodeURIComponent leaves them)", input: "!*'()", expected: "%21%2A%27%28%29" },
    { name: "reserved delimiters are encoded", input: ":/?#[]@&=$,;", expected: "%3A%2F%3F%23%5B%5D%40%26%3D%24%2C%3B" },
    { name: "percent itself is encoded", input: "%3D", expected: "%253D" },
    { name: "two-byte UTF-8, uppercase hex", input: "é", expected: "%C3%A9" },
    { name: "three-byte UTF-8", input: "€", expected: "%E2%82%AC" },
    { name: "four-byte UTF-8 (astral plane)", input: "😀", expected: "%F0%9F%98%80" },
    { name: "control characters", input: "\n\t\u0000", expected: "%0A%09%00" },
    { name: "a lone surrogate is sent as U+FFFD", input: "\uD800", expected: "%EF%BF%BD" },
    { name: "the empty string", input: "", expected: "" }
  ]
  for (const row of rows) {
    it(row.name, () => {
      expect(Signature.percentEncode(row.input)).toBe(row.expected)
    })
  }

  it.prop(
    "encodes to unreserved characters and uppercase %XX only, and decodes back to the input",
    [FastCheck.string({ unit: "binary" })],
    ([input]) => {
      const encoded = Signature.percentEncode(input)
      return /^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/.test(encoded) && decodeURIComponent(encoded) === input
    }
  )
})

describe("Signature / baseStringUri (RFC 5849 §3.4.1.2)", () => {
  it.effect("lowercases scheme and host and drops the default port, the query and the fragment", () =>
    Effect.gen(function*() {
      // The two examples of §3.4.1.2.
      expect(yield* Signature.baseStringUri("http://EXAMPLE.COM:80/r%20v/X?id=123")).toBe("http://example.com/r%20v/X")
      expect(yield* Signature.baseStringUri("https://www.example.net:8080/?q=1")).toBe("https://www.example.net:8080/")
      expect(yield* Signature.baseStringUri("HTTPS://Example.com:443/a#frag")).toBe("https://example.com/a")
      expect(yield* Signature.baseStringUri("https://example.com")).toBe("https://example.com/")
    }))

  it.effect("refuses a relative URL and a scheme other than http and https", () =>
    Effect.gen(function*() {
      const relative = yield* Effect.flip(Signature.baseStringUri("/photos"))
      expect(relative._tag).toBe("SigningError")
      expect(relative.reason).toBe("InvalidUrl")
      const ftp = yield* Effect.flip(Signature.baseStringUri("ftp://example.com/file"))
      expect(ftp.message).toBe('cannot sign the request (InvalidUrl): scheme "ftp:" is neither http: nor https:')
    }))
})

// RFC 5849 §3.4.1.1 and §3.4.1.3: the request
//   POST /request?b5=%3D%253D&a3=a&c%40=&a2=r%20b HTTP/1.1
//   Host: example.com
//   Content-Type: application/x-www-form-urlencoded
//
//   c2&a3=2+q
describe("Signature / the RFC 5849 §3.4.1 example", () => {
  const protocol: ReadonlyArray<Signature.Parameter> = [
    ["realm", "Example"],
    ["oauth_consumer_key", "9djdj82h48djs9d2"],
    ["oauth_token", "kkk9d7dh3k39sjv7"],
    ["oauth_signature_method", "HMAC-SHA1"],
    ["oauth_timestamp", "137131201"],
    ["oauth_nonce", "7d8f3e4a"],
    ["oauth_signature", "djosJKDKJSD8743243/jdk33klY="]
  ]
  const normalized = "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9dj" +
    "dj82h48djs9d2&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1" +
    "&oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7"
  const base = "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q" +
    "%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_" +
    "key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m" +
    "ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk" +
    "9d7dh3k39sjv7"
  const body: ReadonlyArray<Signature.Parameter> = [["c2", ""], ["a3", "2 q"]]
  const url = "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b"

  it("normalises the §3.4.1.3.1 parameters as §3.4.1.3.2 shows, duplicates kept", () => {
    const decoded: ReadonlyArray<Signature.Parameter> = [
      ["b5", "=%3D"],
      ["a3", "a"],
      ["c@", ""],
      ["a2", "r b"],
      ...protocol.slice(1, 6),
      ["c2", ""],
      ["a3", "2 q"]
    ]
    expect(Signature.normalizeParameters(decoded)).toBe(normalized)
  })

  it.effect("builds the §3.4.1.1 base string byte for byte (realm and oauth_signature excluded)", () =>
    Effect.gen(function*() {
      expect(yield* Signature.baseString({ method: "post", url, body }, protocol)).toBe(base)
    }))

  it.effect("signs the request's query and form body as the base string prescribes", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(137131201_000)
      const request = HttpClientRequest.post(url).pipe(
        HttpClientRequest.bodyText("c2&a3=2+q", "application/x-www-form-urlencoded")
      )
      const signed = yield* OAuth1Client.signRequest(request, {
        consumer: { key: secret("9djdj82h48djs9d2"), secret: secret("j49sk3j29djd") },
        token: { token: secret("kkk9d7dh3k39sjv7"), tokenSecret: secret("dh893hdasih9") },
        realm: "Example",
        version: false
      }).pipe(Effect.provideService(NonceGenerator.NonceGenerator, { next: Effect.succeed("7d8f3e4a") }))
      // The RFC prints bYT5CMsGcbgUdFHObYMEfcx6bsw= for this request, but that value
      // does not follow from its printed base string and secrets; the HMAC-SHA1 of
      // the printed base string under "j49sk3j29djd&dh893hdasih9" is computed here
      // independently.
      const expected = Crypto.createHmac("sha1", "j49sk3j29djd&dh893hdasih9").update(base).digest("base64")
      expect(expected).toBe("r6/TJjbCOr97/+UU0NsvSne7s5g=")
      expect(signatureOf(signed.headers["authorization"] ?? "")).toBe(expected)
    }))
})

// RFC 5849 §1.2: printer.example.com and photos.example.net, HMAC-SHA1.
// Client credentials dpf43f3p2l4k3l03 / kd94hf93k423kf44.
describe("Signature / the RFC 5849 §1.2 example", () => {
  const consumer: Signature.Consumer = { key: secret("dpf43f3p2l4k3l03"), secret: secret("kd94hf93k423kf44") }

  it.effect("signs the temporary credentials request: 74KNZJeDHnMBp0EMJ9ZHt/XKycU=", () =>
    Effect.gen(function*() {
      const header = yield* Signature.sign(
        { method: "POST", url: "https://photos.example.net/initiate" },
        {
          consumer,
          realm: "Photos",
          callback: "http://printer.example.com/ready",
          timestamp: "137131200",
          nonce: "wIjqoS",
          version: false
        }
      )
      expect(Redacted.value(header)).toBe(
        `OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_signature_method="HMAC-SHA1", ` +
          `oauth_timestamp="137131200", oauth_nonce="wIjqoS", ` +
          `oauth_callback="http%3A%2F%2Fprinter.example.com%2Fready", ` +
          `oauth_signature="74KNZJeDHnMBp0EMJ9ZHt%2FXKycU%3D"`
      )
    }))

  it.effect("signs the token request with the temporary credentials: gKgrFCywp7rO0OXSjdot/IHF7IU=", () =>
    Effect.gen(function*() {
      const header = yield* Signature.sign(
        { method: "POST", url: "https://photos.example.net/token" },
        {
          consumer,
          token: { token: secret("hh5s93j4hdidpola"), tokenSecret: secret("hdhd0244k9j7ao03") },
          verifier: secret("hfdp7dh39dks9884"),
          realm: "Photos",
          timestamp: "137131201",
          nonce: "walatlh",
          version: false
        }
      )
      expect(Redacted.value(header)).toBe(
        `OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="hh5s93j4hdidpola", ` +
          `oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_nonce="walatlh", ` +
          `oauth_verifier="hfdp7dh39dks9884", oauth_signature="gKgrFCywp7rO0OXSjdot%2FIHF7IU%3D"`
      )
    }))

  it.effect("signs GET /photos?file=vacation.jpg&size=original: MdpQcU8iPSUjWoN/UDMsK2sui9I=", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(137131202_999)
      // The RFC sends the first two requests over TLS and says nothing of this one;
      // its printed signature is the one of the http: base string URI.
      const request = HttpClientRequest.get("http://photos.example.net/photos", {
        urlParams: { file: "vacation.jpg", size: "original" }
      })
      const signed = yield* OAuth1Client.signRequest(request, {
        consumer,
        token: { token: secret("nnch734d00sl2jdk"), tokenSecret: secret("pfkkdhi9sl3r4s00") },
        realm: "Photos",
        version: false
      }).pipe(Effect.provideService(NonceGenerator.NonceGenerator, { next: Effect.succeed("chapoH") }))
      expect(signed.headers["authorization"]).toBe(
        `OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", ` +
          `oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131202", oauth_nonce="chapoH", ` +
          `oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D"`
      )
    }))
})

// https://developer.twitter.com/en/docs/authentication/oauth-1-0a/creating-a-signature
// (the page's api.twitter.com/1.1 revision).
describe("Signature / the Twitter/X \"Creating a signature\" example", () => {
  const consumer: Signature.Consumer = {
    key: secret("xvz1evFS4wEEPTGEFPHBog"),
    secret: secret("kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw")
  }
  const token: Signature.Token = {
    token: secret("370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"),
    tokenSecret: secret("LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE")
  }
  const url = "https://api.twitter.com/1.1/statuses/update.json?include_entities=true"
  const status = "Hello Ladies + Gentlemen, a signed OAuth request!"
  const base = "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue" +
    "%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg" +
    "%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958" +
    "%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0" +
    "%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521"

  it.effect("builds the documented base string and signature hCtSmYh+iHYCEqBWrE7C7hYmtUk=", () =>
    Effect.gen(function*() {
      const protocol: ReadonlyArray<Signature.Parameter> = [
        ["oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"],
        ["oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"],
        ["oauth_signature_method", "HMAC-SHA1"],
        ["oauth_timestamp", "1318622958"],
        ["oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"],
        ["oauth_version", "1.0"]
      ]
      const text = yield* Signature.baseString({ method: "POST", url, body: [["status", status]] }, protocol)
      expect(text).toBe(base)
      const value = yield* Signature.signature("HMAC-SHA1", text, consumer, token)
      expect(Redacted.value(value)).toBe("hCtSmYh+iHYCEqBWrE7C7hYmtUk=")
    }))

  it.effect("signs the form-encoded request end to end through the HttpClient request signer", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1318622958_000)
      const request = HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUrlParams({ status }))
      const signed = yield* OAuth1Client.signRequest(request, { consumer, token }).pipe(
        Effect.provideService(NonceGenerator.NonceGenerator, {
          next: Effect.succeed("kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg")
        })
      )
      const header = signed.headers["authorization"] ?? ""
      expect(signatureOf(header)).toBe("hCtSmYh+iHYCEqBWrE7C7hYmtUk=")
      expect(header).toContain(`oauth_version="1.0"`)
      expect(header).toContain(`oauth_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"`)
    }))
})

describe("Signature / PLAINTEXT (RFC 5849 §3.4.4)", () => {
  const consumer: Signature.Consumer = { key: secret("jd83jd92dhsh93js"), secret: secret("ja893SD9") }

  it.effect("signs the §2.1 temporary credentials request as the RFC prints it", () =>
    Effect.gen(function*() {
      const header = yield* Signature.sign(
        { method: "POST", url: "https://server.example.com/request_temp_credentials" },
        { consumer, method: "PLAINTEXT", realm: "Example", callback: "http://client.example.net/cb?x=1", version: false }
      )
      expect(Redacted.value(header)).toBe(
        `OAuth realm="Example", oauth_consumer_key="jd83jd92dhsh93js", oauth_signature_method="PLAINTEXT", ` +
          `oauth_callback="http%3A%2F%2Fclient.example.net%2Fcb%3Fx%3D1", oauth_signature="ja893SD9%26"`
      )
    }))

  it.effect("signs the §2.3 token request as the RFC prints it", () =>
    Effect.gen(function*() {
      const header = yield* Signature.sign(
        { method: "POST", url: "https://server.example.com/request_token" },
        {
          consumer,
          token: { token: secret("hdk48Djdsa"), tokenSecret: secret("xyz4992k83j47x0b") },
          verifier: secret("473f82d3"),
          method: "PLAINTEXT",
          realm: "Example",
          version: false
        }
      )
      expect(Redacted.value(header)).toBe(
        `OAuth realm="Example", oauth_consumer_key="jd83jd92dhsh93js", oauth_token="hdk48Djdsa", ` +
          `oauth_signature_method="PLAINTEXT", oauth_verifier="473f82d3", ` +
          `oauth_signature="ja893SD9%26xyz4992k83j47x0b"`
      )
    }))

  it.effect("encodes both secrets and keeps the & when the token secret is empty", () =>
    Effect.gen(function*() {
      const value = yield* Signature.signature("PLAINTEXT", "ignored", { key: secret("k"), secret: secret("a&b c") }, {
        token: secret("t"),
        tokenSecret: secret("")
      })
      expect(Redacted.value(value)).toBe("a%26b%20c&")
    }))
})

// http://wiki.oauth.net/w/page/12238556/TestCases, section "RSA-SHA1", with the
// wiki's published test key (a fixture, not a credential of anything).
describe("Signature / RSA-SHA1 (RFC 5849 §3.4.3)", () => {
  const privateKey = [
    "-----BEGIN PRIVATE KEY-----",
    "MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBALRiMLAh9iimur8V",
    "A7qVvdqxevEuUkW4K+2KdMXmnQbG9Aa7k7eBjK1S+0LYmVjPKlJGNXHDGuy5Fw/d",
    "7rjVJ0BLB+ubPK8iA/Tw3hLQgXMRRGRXXCn8ikfuQfjUS1uZSatdLB81mydBETlJ",
    "hI6GH4twrbDJCR2Bwy/XWXgqgGRzAgMBAAECgYBYWVtleUzavkbrPjy0T5FMou8H",
    "X9u2AC2ry8vD/l7cqedtwMPp9k7TubgNFo+NGvKsl2ynyprOZR1xjQ7WgrgVB+mm",
    "uScOM/5HVceFuGRDhYTCObE+y1kxRloNYXnx3ei1zbeYLPCHdhxRYW7T0qcynNmw",
    "rn05/KO2RLjgQNalsQJBANeA3Q4Nugqy4QBUCEC09SqylT2K9FrrItqL2QKc9v0Z",
    "zO2uwllCbg0dwpVuYPYXYvikNHHg+aCWF+VXsb9rpPsCQQDWR9TT4ORdzoj+Nccn",
    "qkMsDmzt0EfNaAOwHOmVJ2RVBspPcxt5iN4HI7HNeG6U5YsFBb+/GZbgfBT3kpNG",
    "WPTpAkBI+gFhjfJvRw38n3g/+UeAkwMI2TJQS4n8+hid0uus3/zOjDySH3XHCUno",
    "cn1xOJAyZODBo47E+67R4jV1/gzbAkEAklJaspRPXP877NssM5nAZMU0/O/NGCZ+",
    "3jPgDUno6WbJn5cqm8MqWhW1xGkImgRk+fkDBquiq4gPiT898jusgQJAd5Zrr6Q8",
    "AO/0isr/3aa6O6NLQxISLKcPDk2NOccAfS/xOtfOz4sJYM3+Bs4Io9+dZGSDCA54",
    "Lw03eHTNQghS0A==",
    "-----END PRIVATE KEY-----"
  ].join("\n")
  const expected = "jvTp/wX1TYtByB1m+Pbyo0lnCOLIsyGCH7wke8AUs3BpnwZJtAuEJkvQL2/9n4s5wUmUl4aCI4BwpraNx4RtEXMe5qg5T1" +
    "LVTGliMRpKasKsW//e+RinhejgCuzoH26dyF8iY2ZZ/5D1ilgeijhV/vBka5twt399mXwaYdCwFYE="
  const consumer: Signature.Consumer = { key: secret("dpf43f3p2l4k3l03"), privateKey: secret(privateKey) }

  it.effect("reproduces the OAuth test case signature and verifies under the public key", () =>
    Effect.gen(function*() {
      const header = Redacted.value(
        yield* Signature.sign(
          { method: "GET", url: "http://photos.example.net/photos?file=vacaction.jpg&size=original" },
          { consumer, method: "RSA-SHA1", nonce: "13917289812797014437", timestamp: "1196666512" }
        )
      )
      expect(signatureOf(header)).toBe(expected)
      const base = "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacaction.jpg" +
        "%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3D13917289812797014437" +
        "%26oauth_signature_method%3DRSA-SHA1%26oauth_timestamp%3D1196666512%26oauth_version%3D1.0%26size%3Doriginal"
      const publicKey = Crypto.createPublicKey(privateKey)
      expect(Crypto.verify("sha1", Buffer.from(base), publicKey, Buffer.from(expected, "base64"))).toBe(true)
    }))

  it.effect("signs the same with the key as PKCS#1 (BEGIN RSA PRIVATE KEY)", () =>
    Effect.gen(function*() {
      const pkcs1 = Crypto.createPrivateKey(privateKey).export({ type: "pkcs1", format: "pem" }).toString()
      expect(pkcs1).toContain("BEGIN RSA PRIVATE KEY")
      const header = Redacted.value(
        yield* Signature.sign(
          { method: "GET", url: "http://photos.example.net/photos?file=vacaction.jpg&size=original" },
          {
            consumer: { ...consumer, privateKey: secret(pkcs1) },
            method: "RSA-SHA1",
            nonce: "13917289812797014437",
            timestamp: "1196666512"
          }
        )
      )
      expect(signatureOf(header)).toBe(expected)
    }))

  it.effect("fails with InvalidPrivateKey, quoting nothing of the key", () =>
    Effect.gen(function*() {
      const broken = "-----BEGIN PRIVATE KEY-----\nMIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAw\n-----END PRIVATE KEY-----"
      const error = yield* Effect.flip(
        Signature.signature("RSA-SHA1", "text", { key: secret("k"), privateKey: secret(broken) })
      )
      expect(error._tag).toBe("SigningError")
      expect(error.reason).toBe("InvalidPrivateKey")
      expect(`${error.message} ${JSON.stringify(error)} ${String(error)}`).not.toContain("MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAw")
    }))

  it.effect("fails with MissingCredential without a private key", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Signature.signature("RSA-SHA1", "text", { key: secret("k"), secret: secret("s") }))
      expect(error.message).toBe("cannot sign the request (MissingCredential): RSA-SHA1 needs an RSA private key")
    }))
})

describe("Signature / HMAC-SHA256", () => {
  it.effect("is HMAC-SHA256 of the base string under the same key construction as HMAC-SHA1", () =>
    Effect.gen(function*() {
      const text = "GET&https%3A%2F%2Fexample.com%2Fr&a%3D1"
      const value = yield* Signature.signature(
        "HMAC-SHA256",
        text,
        { key: secret("k"), secret: secret("c s") },
        { token: secret("t"), tokenSecret: secret("t&s") }
      )
      const expected = Crypto.createHmac("sha256", "c%20s&t%26s").update(text).digest("base64")
      expect(Redacted.value(value)).toBe(expected)
      expect(Buffer.from(Redacted.value(value), "base64")).toHaveLength(32)
    }))

  it.effect("fails with MissingCredential without a consumer secret", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Signature.signature("HMAC-SHA256", "text", { key: secret("k") }))
      expect(error.reason).toBe("MissingCredential")
    }))
})

describe("Signature / authorizationHeader (RFC 5849 §3.5.1)", () => {
  it("encodes names and values, quotes the realm, and separates with commas", () => {
    expect(Signature.authorizationHeader([["oauth_callback", "http://a/b?c=d e"], ["x y", "!"]], `say "hi"`)).toBe(
      `OAuth realm="say \\"hi\\"", oauth_callback="http%3A%2F%2Fa%2Fb%3Fc%3Dd%20e", x%20y="%21"`
    )
  })
})

describe("Signature / nonce and timestamp (RFC 5849 §3.3)", () => {
  it.effect("draws distinct 43-character unreserved nonces from the CSPRNG by default", () =>
    Effect.gen(function*() {
      const nonces = yield* Effect.all(Array.from({ length: 20 }, () => Signature.nonce))
      expect(new Set(nonces).size).toBe(20)
      for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9_-]{43}$/)
    }))

  it.effect("takes the nonce from the provided NonceGenerator", () =>
    Effect.gen(function*() {
      expect(yield* Signature.nonce).toBe("fixed")
    }).pipe(Effect.provideService(NonceGenerator.NonceGenerator, { next: Effect.succeed("fixed") })))

  it.effect("reads the timestamp in whole seconds from the Clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1318622958_999)
      expect(yield* Signature.timestamp).toBe("1318622958")
      yield* TestClock.adjust("1 second")
      expect(yield* Signature.timestamp).toBe("1318622959")
    }))

  it.effect("sends a fresh nonce and the current timestamp with every signature", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_700_000_000_000)
      const options: Signature.SignOptions = { consumer: { key: secret("k"), secret: secret("s") } }
      const request = { method: "GET", url: "https://example.com/" }
      const first = Redacted.value(yield* Signature.sign(request, options))
      const second = Redacted.value(yield* Signature.sign(request, options))
      const nonceOf = (header: string) => /oauth_nonce="([^"]+)"/.exec(header)?.[1]
      expect(nonceOf(first)).not.toBe(nonceOf(second))
      expect(first).toContain(`oauth_timestamp="1700000000"`)
      expect(signatureOf(first)).not.toBe(signatureOf(second))
    }))
})
