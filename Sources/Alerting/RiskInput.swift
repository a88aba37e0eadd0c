/// One observation from the streams, as the detectors consume it.
///
/// All times are nanoseconds since the Unix epoch. `eventTime` drives every window and cooldown;
/// `intendedTime` (when the load generator meant to send the message) is only carried into the
/// alert so that alert latency can be measured without coordinated omission.
public enum RiskInput: Sendable {
    /// A normalised top-N book (from market.l2.<symbol>): bids high→low, asks low→high, as (price, qty).
    case book(symbol: String, eventTime: Int64, intendedTime: Int64?, bids: [(Double, Double)], asks: [(Double, Double)])
    /// An order lifecycle event (from user.actions.>): status new / partially_filled / filled / canceled / rejected / expired.
    case order(userID: UInt64, orderID: UInt64, symbol: String, status: String, eventTime: Int64, intendedTime: Int64?)
    /// A scored social post (from social.processed.<symbol>).
    case post(symbol: String, eventTime: Int64, intendedTime: Int64?, sentiment: Double)

    /// When the observation happened (ns since epoch).
    public var eventTime: Int64 {
        switch self {
        case .book(_, let t, _, _, _), .post(_, let t, _, _): t
        case .order(_, _, _, _, let t, _): t
        }
    }

    /// When the observation was meant to be sent (ns since epoch), if known.
    public var intendedTime: Int64? {
        switch self {
        case .book(_, _, let t, _, _), .post(_, _, let t, _): t
        case .order(_, _, _, _, _, let t): t
        }
    }
}
