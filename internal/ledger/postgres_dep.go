package ledger

// The Postgres backend's driver, github.com/jackc/pgx/v5 (the guide's
// choice for team deployments). This import holds it in go.mod until the
// backend's files use it.
import _ "github.com/jackc/pgx/v5/pgxpool"
