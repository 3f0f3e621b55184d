// What the chat pipeline and the console routes use from quotas.
export { QuotaService, applicableQuotas, type QuotaReservation, type QuotaSubject, type UsageAmount, type QuotaExceededDetails, type QuotaServiceOptions } from './quotaService.js';
export { applicableQuotasSql } from './counterStore.js';
export { costOf, type PricedModel } from './money.js';
export { UsageRecorder, usageInsertSql, type UsageEntry, type UsageOutcome } from '../usage/usageRecorder.js';
