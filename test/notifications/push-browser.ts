import { createECDH, randomBytes, type ECDH } from "node:crypto";
import ece from "http_ece";

/** A browser's side of a subscription: its ECDH key pair and auth secret, and the JSON it posts. */
export function browserSubscription(pushServiceOrigin: string, path = `/push/${randomBytes(6).toString("hex")}`) {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return {
    ecdh,
    auth,
    json: {
      endpoint: `${pushServiceOrigin}${path}`,
      expirationTime: null,
      keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth: auth.toString("base64url") },
    },
  };
}

/** Decrypts a pushed body as the browser does (http_ece, aes128gcm, the receiver's key and auth secret). */
export function decrypt(raw: Buffer, ecdh: ECDH, auth: Buffer): unknown {
  return JSON.parse(ece.decrypt(raw, { version: "aes128gcm", privateKey: ecdh, authSecret: auth }).toString("utf8"));
}
