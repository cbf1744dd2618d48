export { ACCOUNT_ID, type LocalCloud, type LocalCloudOptions, REGION, startLocalCloud } from './local-cloud.js'
export type { Mail } from './mailbox.js'
export { freePort } from './ports.js'
