import { dictionary } from "@zxcvbn-ts/language-common";
import { ApiError } from "../errors";

/**
 * Password rules of NIST SP 800-63B, section 5.1.1.2 ("Memorized Secret Verifiers"):
 * at least PASSWORD_MIN_LENGTH characters (Unicode code points, so any script counts the
 * same), not only whitespace, and not one of the commonly used passwords of breach corpora,
 * here the ~49,000 of @zxcvbn-ts/language-common (compared lower-cased: the list is lower
 * case, and "Password" is as weak as "password"). No composition rules (digits, symbols),
 * as 800-63B asks. At most PASSWORD_MAX_LENGTH characters (the request schema enforces it:
 * argon2 of a huge input is a denial of service). The list ships in the package: no network.
 */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

const COMMON_PASSWORDS = new Set(dictionary["passwords-common"]);

/**
 * @throws ApiError password_too_short, password_blank or password_too_common (400),
 *   each with a message people can act on.
 */
export function assertAcceptablePassword(password: string): void {
  if ([...password].length < PASSWORD_MIN_LENGTH) {
    throw new ApiError("password_too_short", `The password needs at least ${PASSWORD_MIN_LENGTH} characters.`);
  }
  if (password.trim() === "") {
    throw new ApiError("password_blank", "The password cannot be only spaces.");
  }
  if (COMMON_PASSWORDS.has(password.toLowerCase())) {
    throw new ApiError("password_too_common", "This password is one of the most common ones and easy to guess. Choose another.");
  }
}
