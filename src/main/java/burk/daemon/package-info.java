/**
 * burk's resident daemon: a JVM that stays up and decides, for the small native front
 * ({@code native/front}) that an engine runs in place of a JVM per call. The front forwards its
 * command line; the daemon runs burk's command-line code on its behalf and asks the front to do
 * what must happen in the caller's own process (fork the helper that becomes the container's
 * init, become a subreaper, wait for the init). See docs/performance.md for the design, the
 * protocol and the safety rules. Depends on {@code burk.runtime} and {@code burk.linux}; the
 * command line ({@code burk.cli}) plugs in as a {@link burk.daemon.Handler}.
 */
package burk.daemon;
