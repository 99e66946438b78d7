// The cluster test harness in one import: real PostgreSQL, SeaweedFS (S3), network namespaces and an nginx load
// balancer for issue 12's multi-host tests. Each module's header says what it needs (root, Debian packages).
export { startPostgres, type PostgresServer } from './postgres.js';
export { startSeaweedFS, WEED, type S3Server } from './seaweedfs.js';
export { createNetwork, listNamespaces, NETNS_PREFIX, type Namespace, type Network, type NsProcess } from './netns.js';
export { startLoadBalancer, type AccessLogEntry, type LoadBalancer, type LoadBalancerOptions } from './loadbalancer.js';
export { currentRun, sweepCrashedRuns } from './registry.js';
export { freePort, freePorts, requireRoot, run, runOk, waitFor, type CommandResult } from './util.js';
