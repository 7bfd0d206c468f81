// Initiates the replica set rs0 of compose/compose.yml, then waits for a primary.
//
// Run by the one-shot `mongo-init` service on every `up`: when rs0 is already
// initiated it only waits, so restarting the stack is safe. It exits non-zero when
// no primary is elected in time, which keeps the Waterline services from starting
// (they write with majority concern and need a primary).

const config = {
  _id: "rs0",
  members: [
    // mongo1 is preferred as primary so that the first election is predictable.
    { _id: 0, host: "mongo1:27017", priority: 2 },
    { _id: 1, host: "mongo2:27017", priority: 1 },
    { _id: 2, host: "mongo3:27017", priority: 1 },
  ],
};

try {
  rs.status();
  print("mongo-init: rs0 is already initiated");
} catch (error) {
  if (error.codeName !== "NotYetInitialized") {
    throw error;
  }
  rs.initiate(config);
  print("mongo-init: rs0 initiated");
}

const deadline = Date.now() + 120 * 1000;
while (Date.now() < deadline) {
  const primary = db.hello().primary;
  if (primary) {
    print(`mongo-init: primary is ${primary}`);
    quit(0);
  }
  sleep(1000);
}
print("mongo-init: no primary elected within 120 s");
quit(1);
