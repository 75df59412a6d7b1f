package burk.spec;

/** A {@code major:minor} rate limit; {@code rate} is uint64 held bit for bit. */
public record ThrottleDevice(long major, long minor, long rate) {
}
