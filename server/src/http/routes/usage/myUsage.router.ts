import { myUsage } from '../../../governance/usage/myUsage.js';
import type { Services } from '../../../services.js';
import { MyUsageView } from '../../presenters/usage.js';
import type { RouteBuilder } from '../../route.js';

export function myUsageRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'get',
    path: '/me/usage',
    summary: 'Your remaining allowance under every quota that applies to you, and your use today and this month',
    tags: ['me'],
    responses: { 200: { description: 'Limits and totals', schema: MyUsageView } },
    handler: async ({ actor }) => {
      await s.quotas.sweepIfDue();
      return { body: await myUsage(s.prisma, { id: actor.id, groupIds: [...actor.groups.keys()] }, s.quotas.currentTime(), s.quotas.timeZone) };
    },
  });
}
