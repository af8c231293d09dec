import Testing
@testable import IPP

