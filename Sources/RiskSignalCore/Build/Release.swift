/// The release both binaries are built as (`risksignal_build_info`, `rsbench_build_info`, the run fingerprint).
public enum Release {
    public static let version = "0.3.0"
}
