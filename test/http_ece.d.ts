/** The part of http_ece (RFC 8188 encrypted content-encoding; no published types) the push tests use to decrypt as a browser. */
declare module "http_ece" {
  import type { ECDH } from "node:crypto";
  const ece: {
    decrypt(buffer: Buffer, params: { version: "aes128gcm"; privateKey: ECDH; authSecret: Buffer }): Buffer;
  };
  export default ece;
}
