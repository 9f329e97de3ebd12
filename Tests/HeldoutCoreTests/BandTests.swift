import Testing
@testable import HeldoutCore

@Suite struct BandTests {
    @Test func defaultEdges() {
        let bands = BandScheme.standard
        #expect(bands.description == "1-5,6-8,9-12,13+")
        #expect(bands.assign(5.49).label == "1-5")
        #expect(bands.assign(5.5).label == "6-8")     // nearest whole grade, halves up
        #expect(bands.assign(8.49).label == "6-8")
        #expect(bands.assign(8.5).label == "9-12")
        #expect(bands.assign(12.49).label == "9-12")
        #expect(bands.assign(12.5).label == "13+")
        #expect(bands.assign(30).label == "13+")
        #expect(bands.assign(-3.2).label == "1-5")    // below the first band: the easiest band
        #expect(bands.assign(nil) == .ungradable)
        #expect(bands.assign(.nan) == .ungradable)
    }

    @Test func gap() throws {
        let bands = try BandScheme(gapBetween: 5, and: 8)
        #expect(bands.description == "1-5,8+")
        #expect(bands.assign(5.4).label == "1-5")
        #expect(bands.assign(5.5) == .gap)
        #expect(bands.assign(7.49) == .gap)
        #expect(bands.assign(7.5).label == "8+")
        #expect(bands.assign(0).label == "1-5")
        #expect(throws: BandError.self) { try BandScheme(gapBetween: 5, and: 6) }   // no grade between
    }

    @Test func holesInExplicitBandsAreGaps() throws {
        let bands = try BandScheme(parsing: "1-5, 8-10, 13+")
        #expect(bands.assign(6) == .gap)
        #expect(bands.assign(11) == .gap)
        #expect(bands.assign(9).label == "8-10")
    }

    @Test func parsing() throws {
        #expect(try BandScheme(parsing: "1-5,6-8,9-12,13+") == .standard)
        #expect(try BandScheme(parsing: "1-3,4,5+").bands[1].label == "4")
        for bad in ["5-3", "1-5,4-8", "13+,1-5", "abc", "", "1-5,x"] {
            #expect(throws: BandError.self, "\(bad)") { try BandScheme(parsing: bad) }
        }
    }

}
