import RiskSignalCore

/// Maps a social post written in someone else's JSON shape onto ours, field by field (`text` is required).
public struct SocialPostMapping: Sendable {
    /// Our field → theirs; unmapped fields use our own name.
    public var fields: [String: String]
    public static let ourFields = ["text", "symbol", "time", "author", "source", "language", "id"]

    public init(fields: [String: String]) { self.fields = fields }

    /// Field names tried for the post's time when `time` is not mapped, in order.
    public static let timeNames = ["time", "created_at", "timestamp", "created_utc", "date", "datetime", "published_at", "posted_at"]

    struct Post: Sendable {
        var id: String
        var source: String
        var symbol: String
        var timeNanos: Int64?
        var language: String
        var text: String
        var author: String

        /// Our social message, carrying `eventTimeNanos` as its event time.
        func payload(eventTimeNanos: Int64) -> [UInt8] {
            var s = "{\"event_id\":" + JSONText.quoted(id) + ",\"event_time\":\(eventTimeNanos / 1_000_000),\"source\":\"\(source)\""
            if !symbol.isEmpty { s += ",\"symbol\":" + JSONText.quoted(symbol) }
            s += ",\"language\":" + JSONText.quoted(language) + ",\"text\":" + JSONText.quoted(String(text.prefix(8000)))
            if !author.isEmpty { s += ",\"author\":" + JSONText.quoted(author) }
            s += ",\"engagement\":{}}"
            return Array(s.utf8)
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var field: String
        var message: String
        var description: String { "\(field): \(message)" }
    }

    func name(_ ours: String) -> String { fields[ours] ?? ours }

    func post(from bytes: [UInt8], line: Int) -> Result<Post, Failure> {
        guard case .object(let o)? = try? JSONParser.parse(bytes) else {
            return .failure(Failure(field: "$", message: "expected one JSON object on the line"))
        }
        guard case .string(let text)? = o[name("text")], !text.isEmpty else {
            return .failure(Failure(field: name("text"), message: "required: the post's text (map it with text: <field>)"))
        }
        var symbol = ""
        if case .string(let s)? = o[name("symbol")] {
            let up = s.uppercased().replacingOccurrences(of: "$", with: "")
            symbol = FieldReader.isSymbol(up) ? up : (FieldReader.isSymbol(up + "-USD") ? up + "-USD" : "")
        }
        var time: Int64?
        // One reader for every form (TimestampText); a time that is present but not understood is this line's
        // error, never a post silently placed at the start of the replay.
        // Unmapped, the time is looked for under the names common recorders use (Twitter `created_at`, Reddit
        // `created_utc`, scrapers' `date`/`timestamp`), so posts do not all fall back to one capture instant.
        let timeField = fields["time"] ?? (Self.timeNames.first { o[$0] != nil && o[$0] != .null } ?? "time")
        do {
            switch o[timeField] {
            case .int(let i)?: time = try EpochUnit.nanosGuessingUnit(i, field: timeField)  // s, ms, µs or ns by size
            case .double(let d)?: time = try EpochUnit.seconds.nanos(d >= 0 ? d : .nan, field: timeField)
            case .string(let s)?: time = try TimestampText.nanos(s, field: timeField)
            case nil, .null?: break
            case let v?: return .failure(Failure(field: timeField, message: "expected a time (text or epoch number), got \(v.typeName)"))
            }
        } catch let e as NumberRangeError {
            return .failure(Failure(field: e.field, message: e.message))
        } catch let e as ValidationError {
            return .failure(Failure(field: e.field, message: e.message))
        } catch {
            return .failure(Failure(field: timeField, message: "\(error)"))
        }
        var source = "other"
        if case .string(let s)? = o[name("source")], ["twitter", "reddit", "telegram", "news", "discord"].contains(s.lowercased()) { source = s.lowercased() }
        var id = "post-line-\(line)"
        switch o[name("id")] {
        case .string(let s)?: id = "post-" + s
        case .int(let i)?: id = "post-\(i)"
        default: break
        }
        var author = ""
        if case .string(let a)? = o[name("author")] { author = a }
        var language = "und"
        if case .string(let l)? = o[name("language")] { language = String(l.prefix(16)) }
        return .success(Post(id: id, source: source, symbol: symbol, timeNanos: time, language: language, text: text, author: author))
    }
}
