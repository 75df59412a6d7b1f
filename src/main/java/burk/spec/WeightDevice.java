package burk.spec;

/** A {@code major:minor} weight entry; {@code weight}/{@code leafWeight} uint16, null = unset. */
public record WeightDevice(long major, long minor, Integer weight, Integer leafWeight) {
}
