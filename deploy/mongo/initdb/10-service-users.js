// One MongoDB user per service, with readWrite on its own database etw_<service> only.
// The mongo image runs this once, as root, on the first start of an empty data volume
// (files in /docker-entrypoint-initdb.d). Idempotent: re-run it to apply changed passwords:
//   docker compose exec mongo mongosh -u "$MONGO_INITDB_ROOT_USERNAME" \
//     -p "$MONGO_INITDB_ROOT_PASSWORD" --authenticationDatabase admin \
//     /docker-entrypoint-initdb.d/10-service-users.js
// Users live in the admin database (URLs use authSource=admin).
// The portal's user reaches etw_portal, its sessions, only.
const services = ["registration", "projects", "awards", "notifications", "portal"];
const admin = db.getSiblingDB("admin");

for (const service of services) {
  const variable = `${service.toUpperCase()}_MONGO_PASSWORD`;
  const pwd = process.env[variable];
  if (!pwd) throw new Error(`${variable} is not set`);
  const roles = [{ role: "readWrite", db: `etw_${service}` }];
  if (admin.getUser(service) === null) {
    admin.createUser({ user: service, pwd, roles });
    print(`created MongoDB user ${service}`);
  } else {
    admin.updateUser(service, { pwd, roles });
    print(`updated MongoDB user ${service}`);
  }
}
