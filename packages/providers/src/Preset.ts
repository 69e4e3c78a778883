/**
 * What `docs/providers.md` says of each preset, kept beside the preset so that the
 * page is generated from the code and cannot drift: the documentation its
 * fixtures come from, its refresh behaviour and its quirks. Auth method, PKCE and
 * revocation are read from the example `provider` itself.
 *
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"

/**
 * One preset's row of the providers page.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @since 0.1.0
 * @category models
 */
export interface About {
  /** The provider's name as people write it (`"GitHub"`). */
  readonly title: string
  /** The page the preset's fixtures come from. */
  readonly docs: string
  /** Refresh behaviour: rotation, the refresh token's lifetime, or no refresh at all. */
  readonly refresh: string
  /** What differs from RFC 6749, in a few words. */
  readonly quirks: string
  /** The preset built with example options (a tenant, a shop), for the page's derived columns. */
  readonly provider: Provider.Provider
}
