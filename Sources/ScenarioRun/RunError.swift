/// A run that could not start or finish, with what to do about it.
public enum RunError: Error, Equatable, CustomStringConvertible {
    case setup(String)
    case invalidScenario(String)

    public var description: String {
        switch self {
        case .setup(let m), .invalidScenario(let m): m
        }
    }
}
