import ZeroMQ

/// A value behind a lock that closures and threads can share (see ZeroMQ.Locked).
public typealias Locked<Value: Sendable> = ZeroMQ.Locked<Value>
