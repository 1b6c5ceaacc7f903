import { createIoredisRepository } from 'taskstream/adapters/ioredis'; // { url } | { options } | { client } (Redis or Cluster)
import { createUpstashRepository } from 'taskstream/adapters/upstash'; // UPSTASH_REDIS_REST_URL / _TOKEN
import { configFromEnv, createContainer } from 'taskstream/container'; // pick one from TASKSTREAM_BACKEND
