// Sets up the sharded cluster of compose/compose.sharded.yml (run by `mongosh --nodb`):
// initiates the config server replica set and the two shard replica sets, waits for their
// primaries, adds the shards through a router, and shards the series collections.
//
// Run by the one-shot `sharded-init` service; every step is safe to run again (a replica
// set already initiated, a shard already added, a collection already sharded), and a step
// that fails (a member not up yet) makes it exit non-zero, so its restart policy runs it
// again until everything is in place.

const sets = [
  { _id: "cfg", configsvr: true, hosts: ["cfg1:27017", "cfg2:27017", "cfg3:27017"] },
  { _id: "shardA", hosts: ["shard-a1:27017", "shard-a2:27017", "shard-a3:27017"] },
  { _id: "shardB", hosts: ["shard-b1:27017", "shard-b2:27017", "shard-b3:27017"] },
];

function initiate(set) {
  const admin = connect(`mongodb://${set.hosts[0]}/admin?directConnection=true`);
  if (admin.runCommand({ replSetGetStatus: 1 }).ok) {
    print(`sharded-init: ${set._id} is already initiated`);
  } else {
    const config = { _id: set._id, members: set.hosts.map((host, i) => ({ _id: i, host, priority: i === 0 ? 2 : 1 })) };
    if (set.configsvr) config.configsvr = true;
    const reply = admin.runCommand({ replSetInitiate: config });
    if (!reply.ok && reply.codeName !== "AlreadyInitialized") throw new Error(`${set._id}: ${JSON.stringify(reply)}`);
    print(`sharded-init: ${set._id} initiated`);
  }
  for (let i = 0; i < 60; i++) {
    if (admin.runCommand({ hello: 1 }).isWritablePrimary) return;
    sleep(1000);
  }
  throw new Error(`${set._id}: no primary after 60 s`);
}

sets.forEach(initiate);

const router = connect("mongodb://mongos1:27017/admin");
for (const set of sets.filter((s) => !s.configsvr)) {
  const reply = router.runCommand({ addShard: `${set._id}/${set.hosts.join(",")}` });
  if (!reply.ok) throw new Error(`addShard ${set._id}: ${JSON.stringify(reply)}`);
  print(`sharded-init: shard ${set._id} added`);
}

// Buckets spread over the shards by the sensor's hashed id; within a sensor, in time order.
// Each collection's `_id` holds its shard key's values, so an `_id` lives on one shard and
// stays unique (Waterline's idempotent writes rely on duplicate `_id`s being refused).
const keys = {
  readings: { sensor_id: "hashed", start_ms: 1 },
  clean: { sensor_id: "hashed", start_ms: 1 },
  scores: { sensor_id: "hashed", start_ms: 1 },
  rollups: { sensor_id: "hashed", day_ms: 1 },
};
const enabled = router.runCommand({ enableSharding: "waterline" });
if (!enabled.ok) throw new Error(`enableSharding: ${JSON.stringify(enabled)}`);
for (const [name, key] of Object.entries(keys)) {
  const reply = router.runCommand({ shardCollection: `waterline.${name}`, key });
  if (!reply.ok && reply.codeName !== "AlreadyInitialized") throw new Error(`shardCollection ${name}: ${JSON.stringify(reply)}`);
  print(`sharded-init: waterline.${name} sharded on ${JSON.stringify(key)}`);
}
print("sharded-init: done");
