// Initiates the replica set rs0 of compose/compose.yml, then waits for a primary.
//
// Run by the one-shot `mongo-init` service on every Compose `up`, and on Swarm when the
// service is created: when rs0 is already initiated it only waits, so running it again
// is safe. Nothing holds it back until the members answer (Swarm has no start order,
// Compose's `depends_on` waits only for their start), so it can fail at first: mongosh
// cannot connect, or rs.initiate cannot reach every member. It also exits non-zero when
// no primary is elected in time. Its restart policy (on-failure) runs it again each
// time. Until rs0 has a primary the Waterline services fail at start (they write with
// majority concern and need one) and are restarted.

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
