import CupsBridge
import IPP
import Testing
import TestSupport

/// Every captured message, read by ippgate and by libcups: same text, same bytes.
@Suite struct FixtureOracleTests {
    @Test(arguments: Fixtures.all.map(\.name))
    func textMatchesLibcups(name: String) {
        assertSameText(bytes: Fixtures.all.first { $0.name == name }!.bytes)
    }

    @Test(arguments: Fixtures.all.map(\.name))
    func reencodingMatchesLibcups(name: String) throws {
        let bytes = Fixtures.all.first { $0.name == name }!.bytes
        let (message, offset) = try Message.decode(bytes)
        let (cups, cupsOffset) = try LibcupsMessage.decode(bytes)
        #expect(offset == cupsOffset)
        #expect(message.encoded() == cups.encode())
        #expect(message.encoded() == Array(bytes[..<offset]))
    }
}
