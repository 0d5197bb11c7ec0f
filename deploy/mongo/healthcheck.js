// Compose healthcheck of the mongo service, run as `mongosh --quiet --norc <this file>`.
// Healthy once this member is the writable primary of rs0. While the replica set has no
// configuration it initiates it (so this is idempotent) with the explicit member
// mongo:27017, which every container on the compose network resolves.
const config = { _id: "rs0", members: [{ _id: 0, host: "mongo:27017" }] };
const NOT_YET_INITIALIZED = 94;

const admin = db.getSiblingDB("admin");
admin.auth(process.env.MONGO_INITDB_ROOT_USERNAME, process.env.MONGO_INITDB_ROOT_PASSWORD);

// mongosh throws on a failed command; normalise to a result document either way.
function command(doc) {
  try {
    return admin.runCommand(doc);
  } catch (error) {
    return { ok: 0, code: error.code, errmsg: error.message };
  }
}

const status = command({ replSetGetStatus: 1 });
if (status.ok !== 1) {
  if (status.code === NOT_YET_INITIALIZED) {
    const initiated = command({ replSetInitiate: config });
    print(`replSetInitiate: ${initiated.ok === 1 ? "ok" : initiated.errmsg}`);
  } else {
    print(`replSetGetStatus: ${status.errmsg}`);
  }
  quit(1);
}
quit(command({ hello: 1 }).isWritablePrimary ? 0 : 1);
