import Testing
@testable import HeldoutGrading

@Suite struct UngradableTests {
    @Test func ungradableSegments() {
        #expect(Grader.grade("Yes.", language: .english).outcome == .ungradable(.tooFewWords))
        #expect(Grader.grade("Go home.", language: .english).outcome == .ungradable(.tooFewWords))
        #expect(Grader.grade("12 345 678 9.", language: .english).outcome == .ungradable(.noLetters))
        let g = Grader.grade("Yes.", language: .english)
        #expect(g.band == .ungradable && g.readability.isEmpty && g.grade == nil)
        // Five words is enough (GradabilityTests).
        #expect(Grader.grade("Go home now, all of you.", language: .english).grade != nil)
    }
}
