@testable import Gateway
import Testing

@Suite struct DocumentFormatDetectionTests {
    func detect(_ bytes: [UInt8]) -> String? { bytes.withUnsafeBytes { DocumentFormatDetection.detect($0) } }
    func detect(_ text: String) -> String? { detect(Array(text.utf8)) }

    @Test func knownFormatsByTheirFirstBytes() {
        #expect(detect("%PDF-1.7\n%\u{e2}\u{e3}") == "application/pdf")
        #expect(detect("%!PS-Adobe-3.0\n") == "application/postscript")
        #expect(detect([0x04] + Array("%!PS".utf8)) == "application/postscript")
        #expect(detect(Array("RaS2".utf8) + [0, 0, 0, 0]) == "image/pwg-raster")
        #expect(detect(Array("UNIRAST".utf8) + [0, 0, 0, 1]) == "image/urf")
        #expect(detect([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]) == "image/jpeg")
        #expect(detect([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == "image/png")
        #expect(detect([0x1B, 0x45, 0x1B, 0x26]) == "application/vnd.hp-pcl")
        #expect(detect(Array("\u{1b}%-12345X@PJL\r\n".utf8)) == "application/vnd.hp-pcl")
    }

    @Test func textIsUTF8WithoutControlCharacters() {
        #expect(detect("vm\n") == "text/plain")
        #expect(detect("Grüße, ½ € 😀\r\n\tand a form feed\u{0c}") == "text/plain")
        // A multi-byte character cut by the end of the prefix is still text.
        #expect(detect(Array("ab€".utf8).dropLast()) == "text/plain")
        #expect(detect([0x61, 0x00, 0x62]) == nil, "NUL is not text")
        #expect(detect([0x61, 0x07]) == nil, "BEL is not text")
        #expect(detect([0x61, 0xC0, 0x80]) == nil, "overlong encoding")
        #expect(detect([0x61, 0xE2, 0x41, 0x41]) == nil, "a lead byte without its continuation")
        #expect(detect([0xF8, 0x88, 0x80, 0x80]) == nil)
        #expect(detect([]) == nil)
    }

    @Test func theFormatToPrint() {
        let octet = "application/octet-stream"
        func printAs(_ supplied: String, _ detected: String?, _ device: [String]) -> String? {
            DocumentFormatDetection.formatToPrint(supplied: supplied, detected: detected, deviceFormats: device)
        }
        #expect(printAs("application/pdf", nil, ["image/jpeg"]) == "application/pdf", "a named format is the client's word")
        #expect(printAs(octet, "application/pdf", ["application/pdf", octet]) == "application/pdf")
        #expect(printAs(octet, "text/plain", ["application/pdf", octet]) == octet, "the device types it itself")
        #expect(printAs(octet, "text/plain", ["application/pdf"]) == nil)
        #expect(printAs(octet, nil, ["application/pdf"]) == nil)
        #expect(printAs(octet, nil, ["application/pdf", octet]) == octet)
    }
}
