package burk.spec;

/** A hugetlb limit: {@code pageSize} like {@code "2MB"}, {@code limit} in bytes (uint64 bit for bit). */
public record HugepageLimit(String pageSize, long limit) {
}
