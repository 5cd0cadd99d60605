import http from 'k6/http';
import { check } from 'k6';

export const options = {
  vus: 50,
  duration: '2m',
  thresholds: {
    http_req_duration: ['p(95)<100', 'p(99)<250'],
  },
};

export default function () {
  const res = http.get(`${__ENV.BASE_URL}/v1/accounts/00000000-0000-0000-0000-000000000001`);
  check(res, { 'status is 200': (r) => r.status === 200 });
}
